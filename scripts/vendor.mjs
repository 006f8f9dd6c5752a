// Copy the built front-end files from node_modules into gongzhi/web/static/vendor.
// The copies are committed, so Python-only users never need Node; `make vendor` refreshes
// them after package.json / package-lock.json change.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "gongzhi", "web", "static", "vendor");

// [package, file inside the package, destination folder under vendor/]
const FILES = [
  ["htmx.org", "dist/htmx.min.js", "htmx"],
  // ECharts' common build (line, bar, pie, grid, tooltip, legend): the dashboard's charts
  ["echarts", "dist/echarts.common.min.js", "echarts"],
  ["leaflet", "dist/leaflet.js", "leaflet"],
  // leaflet.js names its source map; the manifest storage of production (collectstatic)
  // refuses a reference to a missing file
  ["leaflet", "dist/leaflet.js.map", "leaflet"],
  ["leaflet", "dist/leaflet.css", "leaflet"],
  // leaflet.css finds its marker and layer icons in images/ next to it
  ["leaflet", "dist/images/marker-icon.png", "leaflet/images"],
  ["leaflet", "dist/images/marker-icon-2x.png", "leaflet/images"],
  ["leaflet", "dist/images/marker-shadow.png", "leaflet/images"],
  ["leaflet", "dist/images/layers.png", "leaflet/images"],
  ["leaflet", "dist/images/layers-2x.png", "leaflet/images"],
];

for (const [pkg, file, dest] of FILES) {
  const pkgDir = join(root, "node_modules", pkg);
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const target = join(vendor, dest);
  mkdirSync(target, { recursive: true });
  const name = file.split("/").pop();
  copyFileSync(join(pkgDir, file), join(target, name));
  console.log(`vendored ${pkg}@${version} ${file} -> ${join("gongzhi/web/static/vendor", dest, name)}`);
}
