/**
 * Known violations of the layer rules in .dependency-cruiser.cjs, by rule: each file is exempt
 * from that one rule only. Empty, and meant to stay so: remove a file as soon as it is fixed
 * (the layers test says when); never add one.
 */
module.exports = {
  'aws-sdk-only-in-repositories-and-adapters': [],
  'framework-imports-no-capability': [],
  // Checked by test/foundation/layers.test.ts, not by dependency-cruiser: base names used in two layers.
  'same-name-in-two-layers': [],
};
