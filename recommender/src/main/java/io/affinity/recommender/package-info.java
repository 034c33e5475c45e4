/** The domain of Affinity and its online scoring: no HTTP and no file formats here. */
package io.affinity.recommender;
