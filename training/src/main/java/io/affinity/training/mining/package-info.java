/**
 * Frequent-itemset mining (FP-growth) and association rules over integer item ids.
 *
 * <p>Everything here works on dense {@code int} ids so that the hot loops stay on primitive arrays; mapping
 * retailer stock codes to ids and back is the caller's job.
 */
package io.affinity.training.mining;
