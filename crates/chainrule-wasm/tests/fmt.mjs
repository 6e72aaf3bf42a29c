// The page's `fmt` (dom.js) on every number of a JSON file, written back as a JSON list of
// texts, for node.rs to hold against the library's notebook rule (`Numbers::Notebook`).
//
//   node fmt.mjs numbers.json
import { readFileSync } from "node:fs";
import { fmt } from "../../chainrule-page/web/dom.js";

const numbers = JSON.parse(readFileSync(process.argv[2], "utf8"));
process.stdout.write(JSON.stringify(numbers.map(fmt)));
