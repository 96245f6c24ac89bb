import { chromium } from "playwright-core";
const [file, out, w] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const p = await b.newPage({ viewport: { width: Number(w || 1000), height: 1200 } });
const errs = [];
p.on("console", (m) => { if (m.type() === "error") errs.push(m.text()); });
p.on("request", (r) => { if (!r.url().startsWith("file:")) errs.push("request " + r.url()); });
await p.goto("file://" + file);
const H = await p.evaluate(() => document.documentElement.scrollHeight);
for (let y = 0, i = 0; y < H && i < 12; y += 1600, i++)
	await p.screenshot({ path: out + "_" + i + ".png", fullPage: true, clip: { x: 0, y, width: Number(w || 1000), height: Math.min(1600, H - y) } });
console.log("errors", errs, "height", H);
await b.close();
