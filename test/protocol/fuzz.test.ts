import t from 'tap';
import { fuzz } from '../fixtures/protocol/fuzz.js';

t.test('10,000 random and mutated frames each yield frames and values or a GatewayError, never another exception', async (t) => {
  const c = fuzz(20240601, 10_000);
  t.equal(c.untyped, 0, c.firstUntyped ?? 'no untyped exception');
  t.equal(c.inputs, 10_000);
  // The mutations must actually reach every stage, or the test proves nothing.
  t.ok(c.frameErrors > 100, `frame errors: ${c.frameErrors}`);
  t.ok(c.headerErrors > 100, `header errors: ${c.headerErrors}`);
  t.ok(c.headers > 1000, `headers decoded: ${c.headers}`);
  t.ok(c.bodyErrors > 1000, `body errors: ${c.bodyErrors}`);
  t.ok(c.bodies > 1000, `bodies decoded: ${c.bodies}`);
  t.ok(c.incomplete > 100, `incomplete inputs: ${c.incomplete}`);
});
