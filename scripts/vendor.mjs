// Copies the front-end libraries installed by `npm ci` into sanhao/static/vendor
// (git-ignored), so that Django serves them and no page ever loads from a CDN.
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "sanhao", "static", "vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts.min.js",
  "@picocss/pico/css/pico.min.css": "pico.min.css",
};

mkdirSync(target, { recursive: true });
for (const [source, name] of Object.entries(files)) {
  const from = join(root, "node_modules", source);
  if (!existsSync(from)) {
    console.error(`missing ${from}: run npm ci first`);
    process.exit(1);
  }
  copyFileSync(from, join(target, name));
}
console.log(`copied ${Object.keys(files).length} files into ${target}`);
