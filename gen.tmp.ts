import fs from "node:fs";
import { generateNationalDataset } from "./tests/bench/national-dataset";
fs.mkdirSync("/tmp/benchdb", { recursive: true });
const info = await generateNationalDataset("/tmp/benchdb/portale.db");
console.log(JSON.stringify(info));
