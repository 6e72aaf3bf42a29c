// The page under `chainrule serve`: the page's modules on the HTTP engine. (The static
// site starts the same page with its WebAssembly engine instead.)

import { startPage } from "./app.js";
import { httpEngine } from "./engine-http.js";

startPage(httpEngine());
