/**
 * The Affinity HTTP service (Javalin + Jackson). {@link io.affinity.api.AffinityServer} is the entry point;
 * {@link io.affinity.api.ApiConfig} documents every setting and its default.
 */
package io.affinity.api;
