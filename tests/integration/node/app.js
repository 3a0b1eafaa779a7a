// A small application instrumented with the real Pyroscope Node.js SDK.
// Run by test_sdk_node.py and test_relabel_node.py:
// argv = serverAddress appName seconds [region] (region defaults to us-east).
// It profiles CPU work for a while under a dynamic label, then stops the SDK
// (which flushes the last profiles) and exits.
const Pyroscope = require('@pyroscope/nodejs');

const [serverAddress, appName, seconds, region = 'us-east'] = process.argv.slice(2);

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

async function main() {
  Pyroscope.init({
    serverAddress,
    appName,
    tags: { region, env: 'sdk' },
    tenantID: 'sdk-tenant',
    basicAuthUser: 'sdk-user',
    basicAuthPassword: 'sdk-password',
    flushIntervalMs: 60000,
  });
  Pyroscope.start();
  const end = Date.now() + Number(seconds) * 1000;
  const keep = [];
  await new Promise((resolve) => {
    const step = () => {
      if (Date.now() >= end) {
        resolve();
        return;
      }
      Pyroscope.wrapWithLabels({ handler: 'a' }, () => {
        fib(22);
      });
      keep.push(new Array(100).fill(keep.length));
      if (keep.length > 1000) keep.length = 0;
      setImmediate(step);
    };
    step();
  });
  await Pyroscope.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
