// Custody's web UI in a real headless Chromium, against a live server with
// the demo loaded. A user walks the tutorial's story: flows, the runner
// artifact and its history, snapshot aws-prod#65, the #64/#65 diff and the
// aws-prod timeline. Every page is checked for console errors, page weight
// and axe-core violations; screenshots go to $SCREENSHOTS.
//
// Environment: CUSTODY_UI_URL (the server), DEMO_KEY, OTHER_KEY (a key of
// another org), CHROMIUM (default /usr/bin/chromium), SCREENSHOTS.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const base = process.env.CUSTODY_UI_URL;
const demoKey = process.env.DEMO_KEY;
const otherKey = process.env.OTHER_KEY;
const shots = process.env.SCREENSHOTS || "screenshots";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(shots, { recursive: true });

const failures = [];
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});

async function visitor() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Europe/Berlin" });
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") page.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => page.consoleErrors.push(String(e)));
  return { context, page };
}

/// Checks the page the browser shows: no console errors, weight, axe-core.
async function audit(page, name, response) {
  const body = response ? await response.body() : Buffer.from("");
  check(body.length < 100 * 1024, `${name}: page weight ${body.length} bytes is under 100 KB`);
  check(page.consoleErrors.length === 0, `${name}: no console errors ${JSON.stringify(page.consoleErrors)}`);
  page.consoleErrors.length = 0;
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(serious.length === 0, `${name}: no serious axe-core violations ${JSON.stringify(serious.map((v) => [v.id, v.nodes.map((n) => n.target)]))}`);
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

async function signIn(page, key) {
  await page.fill("#key", key);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
}

try {
  // Anonymous visitors see the sign-in page and nothing of the org.
  {
    const { context, page } = await visitor();
    const response = await page.goto(`${base}/cyber-dojo/environments/aws-prod`);
    check(page.url().startsWith(`${base}/?next=`), "anonymous: sent to sign-in");
    const text = await page.textContent("body");
    check(!text.includes("aws-prod#") && !text.includes("runner"), "anonymous: no org data shown");
    await audit(page, "sign-in", response);
    await signIn(page, "not-a-key");
    check((await page.textContent("body")).includes("unknown, revoked or expired"), "a wrong key is refused with a reason");
    await context.close();
  }

  const { context, page } = await visitor();
  await page.goto(`${base}/`);
  await signIn(page, demoKey);
  check(page.url() === `${base}/cyber-dojo/flows/`, `signed in, at the flows list (${page.url()})`);
  let response = await page.goto(`${base}/cyber-dojo/flows/`);
  check(await page.isVisible("text=runner"), "flows list shows runner");
  await audit(page, "flows", response);

  // Flows → runner → the tutorial's artifact, through the search box.
  await Promise.all([page.waitForLoadState("load"), page.click("a[href='/cyber-dojo/flows/runner']")]);
  check((await page.textContent("h1")).includes("runner"), "runner flow page");
  await audit(page, "flow", await page.reload());
  await page.fill("#q", "16d9990");
  await Promise.all([page.waitForLoadState("load"), page.press("#q", "Enter")]);
  check(page.url().includes("/cyber-dojo/search?q=16d9990"), "search page");
  await audit(page, "search", await page.reload());
  await Promise.all([page.waitForLoadState("load"), page.click("a[href^='/cyber-dojo/flows/runner/artifacts/']")]);
  const artifactFingerprint = page.url().split("/artifacts/")[1];
  const artifactText = await page.textContent("main");
  check(artifactText.includes("runner:16d9990"), "artifact page of runner:16d9990");
  check(artifactText.includes("Started running in aws-prod#65"), "artifact history has aws-prod#65");
  check((await page.locator(".timeline svg circle").count()) > 3, "artifact journey is drawn");
  await audit(page, "artifact", await page.reload());

  // Snapshot aws-prod#65: both runner versions, 3 and 1 replicas.
  response = await page.goto(`${base}/cyber-dojo/environments/aws-prod/snapshots/65`);
  const runnerRows = await page.locator("tbody tr", { hasText: "runner:" }).allTextContents();
  check(runnerRows.length === 2, `aws-prod#65 runs two runner versions (${runnerRows.length})`);
  const replicas = runnerRows.map((r) => (r.match(/(COMPLIANT|UNKNOWN)\s*(\d+)/) || [])[2]).sort().join(",");
  check(replicas === "1,3", `runner replicas are 3 and 1 (${replicas})`);
  await audit(page, "snapshot", response);

  await Promise.all([page.waitForLoadState("load"), page.click("text=Diff with #64")]);
  const diffText = await page.textContent("main");
  check(diffText.includes("Only in aws-prod#64") && diffText.includes("Only in aws-prod#65"), "diff #64/#65 has its sections");
  check(diffText.includes("runner:16d9990"), "diff shows the new runner version");
  await audit(page, "diff", await page.reload());

  for (const [name, path, heading] of [["policies", "/cyber-dojo/policies", "Policies"], ["attestation-types", "/cyber-dojo/attestation-types", "Attestation types"], ["actions", "/cyber-dojo/actions", "Actions"]]) {
    const r = await page.goto(base + path);
    check((await page.textContent("h1")) === heading, `${name} page`);
    await audit(page, name, r);
  }

  response = await page.goto(`${base}/cyber-dojo/environments/`);
  check(await page.isVisible("a[href='/cyber-dojo/environments/aws-prod']"), "environments list");
  await audit(page, "environments", response);
  await Promise.all([page.waitForLoadState("load"), page.click("a[href='/cyber-dojo/environments/aws-prod']")]);
  const bars = await page.locator(".timeline svg rect").count();
  check(bars > 10, `aws-prod timeline draws its versions (${bars} bars)`);
  check((await page.locator(".timeline svg a").count()) > 0, "timeline bars link to artifacts");
  await audit(page, "environment", await page.reload());
  await page.screenshot({ path: `${shots}/environment-top.png` });

  // The environment's delivery metrics, one click from its timeline.
  await Promise.all([page.waitForLoadState("load"), page.click("text=Delivery metrics for this window")]);
  check((await page.textContent("h1")) === "Delivery metrics: aws-prod", "metrics page of aws-prod");
  check((await page.locator(".timeline svg rect").count()) > 0, "metrics chart draws deployments per day");
  await audit(page, "metrics", await page.reload());
  await page.goto(`${base}/cyber-dojo/environments/aws-prod`);

  // Keyboard: the skip link is the first stop.
  await page.keyboard.press("Tab");
  check((await page.evaluate(() => document.activeElement.textContent)) === "Skip to content", "keyboard reaches the skip link first");

  // Another org's key sees nothing of cyber-dojo.
  if (otherKey) {
    const other = await visitor();
    await other.page.goto(`${base}/`);
    await signIn(other.page, otherKey);
    const r = await other.page.goto(`${base}/cyber-dojo/environments/aws-prod`);
    check(r.status() === 404, `another org's key gets 404 (${r.status()})`);
    check(!(await other.page.textContent("body")).includes("runner"), "another org's key sees no data");
    await other.context.close();
  } else {
    check(false, "OTHER_KEY is set");
  }

  // Render time and weight of the main pages beside their JSON twins in the
  // API (the baseline, measured in the same run), as figures, not asserts.
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const runs = Number(process.env.BENCH_RUNS || 20);
  const pages = [
    ["flows", "/cyber-dojo/flows/", "/api/v2/flows/cyber-dojo"],
    ["artifact", "/cyber-dojo/flows/runner/artifacts/" + artifactFingerprint, "/api/v2/artifacts/cyber-dojo/runner/fingerprint/" + artifactFingerprint],
    ["environment", "/cyber-dojo/environments/aws-prod", "/api/v2/snapshots/cyber-dojo/aws-prod?page=1&per_page=20"],
    ["snapshot", "/cyber-dojo/environments/aws-prod/snapshots/65", "/api/v2/snapshots/cyber-dojo/aws-prod/65"],
    ["diff", "/cyber-dojo/diff?a=aws-prod%2364&b=aws-prod%2365", "/api/v2/env-diff/cyber-dojo?snappish1=aws-prod%2364&snappish2=aws-prod%2365"],
  ];
  async function timed(path, headers) {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await fetch(base + path, { headers });
      bytes = (await r.arrayBuffer()).byteLength;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
    return { p50: at(0.5), p99: at(0.99), bytes };
  }
  console.log(`page render time over ${runs} requests each (ms), beside the API's JSON for the same data:`);
  console.log("page          p50     p99   bytes | api p50  api p99  api bytes");
  for (const [name, path, api] of pages) {
    const ui = await timed(path, { cookie });
    const json = await timed(api, { authorization: `Bearer ${demoKey}` });
    console.log(`${name.padEnd(12)} ${ui.p50.padStart(6)} ${ui.p99.padStart(7)} ${String(ui.bytes).padStart(7)} | ${json.p50.padStart(7)} ${json.p99.padStart(8)} ${String(json.bytes).padStart(10)}`);
  }

  // Sign-out ends the session.
  await Promise.all([page.waitForLoadState("load"), page.click("text=Sign out")]);
  await page.goto(`${base}/cyber-dojo/flows/`);
  check(page.url().startsWith(`${base}/?next=`), "after sign-out, pages need sign-in again");
  await context.close();
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
