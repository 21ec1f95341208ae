// Times the reference engine (@cedar-policy/cedar-wasm, statefulIsAuthorized with a preparsed policy set)
// on requests written by bench_cedar. Usage: node bench_wasm.cjs MODULES_DIR WORK_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const cedar = require(path.join(process.argv[2], '@cedar-policy', 'cedar-wasm', 'nodejs'));
const work = process.argv[3];

const policies = fs.readFileSync(path.join(work, 'policies.cedar'), 'utf8');
const prepared = cedar.preparsePolicySet('bench', { staticPolicies: policies });
if (prepared.type !== 'success') {
  console.error(JSON.stringify(prepared.errors));
  process.exit(2);
}
const requests = JSON.parse(fs.readFileSync(path.join(work, 'requests.json'), 'utf8'));
const allEntities = JSON.parse(fs.readFileSync(path.join(work, 'entities.json'), 'utf8'));

function run(req, entities) {
  const answer = cedar.statefulIsAuthorized({
    principal: req.principal, action: req.action, resource: req.resource, context: req.context,
    preparsedPolicySetId: 'bench', entities,
  });
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
  return answer.response.decision === 'allow' ? 1 : 0;
}

// Warm up, then time the per-request entity slices (what a caller would pass).
for (let i = 0; i < Math.min(200, requests.length); ++i) run(requests[i], requests[i].entities);
const decisions = new Array(requests.length);
let t0 = process.hrtime.bigint();
for (let i = 0; i < requests.length; ++i) decisions[i] = run(requests[i], requests[i].entities);
const sliceSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

// The whole 10,000-entity store on every call, as statefulIsAuthorized has no entity cache.
const fullCount = Math.min(Number(process.argv[4] || 20), requests.length);
t0 = process.hrtime.bigint();
for (let i = 0; i < fullCount; ++i) run(requests[i], allEntities);
const fullSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

process.stdout.write(JSON.stringify({
  version: cedar.getCedarVersion(), calls: requests.length, seconds: sliceSeconds,
  fullStoreCalls: fullCount, fullStoreSeconds: fullSeconds, decisions,
}));
