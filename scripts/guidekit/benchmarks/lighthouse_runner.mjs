// Lighthouse for scripts/bench: one Chromium, one audit per request.
//
//   node lighthouse_runner.mjs '<JSON list of Chromium flags>'
//
// Reads requests from standard input, one JSON object a line:
// {"url": "...", "out": "report.json", "categories": ["performance"]}. For each,
// runs Lighthouse's default (mobile) configuration, writes the whole report to
// "out" and answers on standard output with one line: {"ok": true} or
// {"ok": false, "error": "..."}. Every audit starts from an empty cache and
// empty storage (Lighthouse resets them), so sharing the browser only saves
// its start-up.
import readline from "node:readline";
import { writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const chromeFlags = JSON.parse(process.argv[2] || "[]");
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags,
});

function answer(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

try {
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) {
      continue;
    }
    try {
      const request = JSON.parse(line);
      const result = await lighthouse(request.url, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: request.categories,
      });
      writeFileSync(request.out, result.report);
      answer({ ok: true });
    } catch (error) {
      answer({ ok: false, error: String((error && error.message) || error) });
    }
  }
} finally {
  await chrome.kill();
}
