// Evaluates generated cases with the reference engine (@cedar-policy/cedar-wasm) and writes the answers.
// Usage: node run_reference.cjs cases.json answers.json
'use strict';
const fs = require('fs');
const path = require('path');
const cedar = require(path.join(__dirname, 'node_modules', '@cedar-policy', 'cedar-wasm', 'nodejs'));

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const answers = cases.map((c, index) => {
  const id = 'case' + index;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: c.policies });
  if (parsed.type !== 'success') {
    return { parseError: true, message: parsed.errors.map((e) => e.message).join('; ') };
  }
  const entitiesCheck = cedar.checkParseEntities({ entities: c.entities });
  if (entitiesCheck.type !== 'success') {
    return { entitiesError: true, message: entitiesCheck.errors.map((e) => e.message).join('; ') };
  }
  const requests = c.requests.map((r) => {
    const answer = cedar.statefulIsAuthorized({
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context,
      preparsedPolicySetId: id,
      entities: c.entities,
    });
    if (answer.type !== 'success') {
      return { failure: answer.errors.map((e) => e.message).join('; ') };
    }
    return {
      decision: answer.response.decision,
      reason: answer.response.diagnostics.reason,
      errors: answer.response.diagnostics.errors.map((e) => e.policyId),
    };
  });
  return { requests };
});
fs.writeFileSync(process.argv[3], JSON.stringify(answers));
