// Runs a Web Worker script in a Node worker thread: `self`, `postMessage`, `onmessage` and
// `close()` as a browser's dedicated worker has them (messages that come before the script
// is loaded wait for it, as a browser queues them). The script's URL is the workerData.
import { parentPort, workerData } from "node:worker_threads";

globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
globalThis.close = () => process.exit(0);
const early = [];
parentPort.on("message", (data) => (globalThis.onmessage ? globalThis.onmessage({ data }) : early.push(data)));
await import(workerData);
for (const data of early) globalThis.onmessage?.({ data });
