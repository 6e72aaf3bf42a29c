// What a bundle carries inside itself. Unbundled (the served page, the static site) this
// is null, and each home loads its files by URL: the engine from chainrule.wasm, the
// training worker from train-worker.js, the styles from style.css. The one-file page
// (chainrule.html) and the embed (chainrule-embed.js) are bundles in which the build
// (chainrule_page::web) puts this module's place an object instead:
//   {engine: the engine's .wasm as base64, worker: the training worker's script,
//    style: style.css's text}.

export const INLINE = null;
