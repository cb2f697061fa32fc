// erc20-bench: the optional peer of `make bench` (issue #7): signed ERC-20 transfers per second
// on a local Hardhat 2 node, the chain a crypto developer would start with.
//
//   node erc20-bench.mjs [--accounts N] [--txs M] [--connections C] [--batch B]
//                        [--port P] [--timeout-s T] [--json]
//
// It starts `hardhat node` on 127.0.0.1 (port P, or a free one without --port;
// hardhat.config.cjs: a block every second from the mempool), compiles Token.sol with solc,
// deploys it, gives N fresh accounts gas money (hardhat_setBalance) and tokens, pre-signs M
// transfers between random accounts before the clock starts, sends them with
// eth_sendRawTransaction in JSON-RPC batches over C connections, and counts transfers mined in
// blocks (receipts with status 1), not submissions.
// Not durable: Hardhat keeps its chain in memory and never fsyncs; say so next to the figure.
// Last line: `erc20_tps: <n> tx/s`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { Wallet, Interface, ContractFactory, JsonRpcProvider, randomBytes, hexlify } from "ethers";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const o = {
    accounts: 1000,
    txs: 20000,
    connections: 4,
    batch: 200,
    port: 0,
    timeoutS: 120,
    json: false,
  };
  const names = {
    "--accounts": "accounts",
    "--txs": "txs",
    "--connections": "connections",
    "--batch": "batch",
    "--port": "port",
    "--timeout-s": "timeoutS",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") {
      o.json = true;
      continue;
    }
    if (!(a in names) || i + 1 >= argv.length) usage(`unknown or incomplete argument '${a}'`);
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 0) usage(`${a}: not a non-negative integer`);
    o[names[a]] = v;
  }
  if (o.accounts < 2) usage("--accounts: at least 2");
  if (o.txs < 1 || o.connections < 1 || o.batch < 1)
    usage("--txs, --connections, --batch: at least 1");
  return o;
}

function usage(msg) {
  process.stderr.write(
    `erc20-bench: ${msg}\nusage: node erc20-bench.mjs [--accounts N] [--txs M] ` +
      `[--connections C] [--batch B] [--port P] [--timeout-s T] [--json]\n`,
  );
  process.exit(2);
}

// A free loopback port for hardhat node (which cannot report one it picked itself): bind port
// 0, read the port, release it.
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function compile() {
  const solc = require("solc");
  const input = {
    language: "Solidity",
    sources: { "Token.sol": { content: readFileSync(join(HERE, "Token.sol"), "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "paris",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length > 0)
    throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts["Token.sol"].BenchToken;
  return { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, version: solc.version() };
}

function startHardhat(port) {
  const bin = join(HERE, "node_modules", ".bin", "hardhat");
  const child = spawn(
    bin,
    [
      "--config",
      join(HERE, "hardhat.config.cjs"),
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      cwd: HERE,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    },
  );
  // One bounded tail of its output, for error messages. It logs every transaction, so the
  // pipes are drained for the whole run and nothing grows with the run's length.
  const keep = (d) => {
    hardhatLog.text = (hardhatLog.text + d.toString()).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("hardhat node did not start in 60 s")), 60000);
    const onStart = () => {
      if (!hardhatLog.text.includes("Started HTTP")) return;
      clearTimeout(timer);
      child.stdout.off("data", onStart);
      resolve();
    };
    child.stdout.on("data", onStart);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited (${code})`));
    });
  });
  return { child, ready };
}

const hardhatLog = { text: "" };
let rpcId = 1;
async function rpc(url, calls) {
  const body = calls.map(([method, params]) => ({ jsonrpc: "2.0", id: rpcId++, method, params }));
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`rpc: HTTP ${res.status}`);
  const out = await res.json();
  return out.sort((a, b) => a.id - b.id);
}
// For reads only (they may be repeated): Node's HTTP server drops a keep-alive connection
// after 5 idle seconds, and a request racing that close fails once with "other side closed".
async function rpc1(url, method, params) {
  let res;
  try {
    res = await rpc(url, [[method, params]]);
  } catch (e) {
    res = await rpc(url, [[method, params]]);
  }
  const [r] = res;
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
}

function rng(seed) {
  // xorshift32: a reproducible choice of senders and receivers
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (m) => process.stderr.write(`erc20-bench: ${m}\n`);
  const { abi, bytecode, version } = compile();
  log(`compiled Token.sol with solc ${version}`);
  if (o.port === 0) o.port = await freePort();
  const hh = startHardhat(o.port);
  const stop = () => {
    try {
      hh.child.kill("SIGTERM");
    } catch (e) {
      /* gone */
    }
  };
  process.on("exit", stop);
  await hh.ready;
  const url = `http://127.0.0.1:${o.port}`;
  const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, batchMaxCount: 1 });
  const hhVersion = await rpc1(url, "web3_clientVersion", []);
  log(`${hhVersion} on ${url}`);

  // Setup, not timed: deploy from a funded key, then N accounts with gas money and tokens.
  await rpc1(url, "evm_setAutomine", [true]);
  const deployer = new Wallet(hexlify(randomBytes(32)), provider);
  const rich = "0x" + (10n ** 30n).toString(16);
  await rpc1(url, "hardhat_setBalance", [deployer.address, rich]);
  const supply = 10n ** 18n;
  const token = await new ContractFactory(abi, bytecode, deployer).deploy(supply);
  await token.waitForDeployment();
  const tokenAddress = await token.getAddress();
  const wallets = [];
  for (let i = 0; i < o.accounts; i++) wallets.push(new Wallet(hexlify(randomBytes(32))));
  for (let i = 0; i < wallets.length; i += 500) {
    await rpc(
      url,
      wallets.slice(i, i + 500).map((w) => ["hardhat_setBalance", [w.address, rich]]),
    );
  }
  const iface = new Interface(abi);
  const perAccount = supply / BigInt(o.accounts * 2);
  let nonce = await provider.getTransactionCount(deployer.address);
  const fund = [];
  for (const w of wallets) {
    fund.push(
      await deployer.signTransaction({
        type: 2,
        chainId: 31337,
        nonce: nonce++,
        to: tokenAddress,
        data: iface.encodeFunctionData("transfer", [w.address, perAccount]),
        gasLimit: 100000,
        maxFeePerGas: 10n ** 12n,
        maxPriorityFeePerGas: 0,
      }),
    );
  }
  await rpc1(url, "evm_setAutomine", [false]);
  for (let i = 0; i < fund.length; i += 500) {
    await rpc(
      url,
      fund.slice(i, i + 500).map((t) => ["eth_sendRawTransaction", [t]]),
    );
  }
  await rpc1(url, "evm_mine", []);
  const firstBlock = Number(await rpc1(url, "eth_blockNumber", [])) + 1;
  log(`deployed ${tokenAddress}; ${o.accounts} accounts funded (block ${firstBlock - 1})`);

  // Pre-sign every transfer before the clock starts.
  const next = rng(7);
  const nonces = new Array(o.accounts).fill(0);
  const txs = [];
  const t_sign = Date.now();
  for (let k = 0; k < o.txs; k++) {
    const i = next() % o.accounts;
    let j = next() % o.accounts;
    if (j === i) j = (j + 1) % o.accounts;
    txs.push(
      await wallets[i].signTransaction({
        type: 2,
        chainId: 31337,
        nonce: nonces[i]++,
        to: tokenAddress,
        data: iface.encodeFunctionData("transfer", [wallets[j].address, 1n]),
        gasLimit: 100000,
        maxFeePerGas: 10n ** 12n,
        maxPriorityFeePerGas: 0,
      }),
    );
  }
  log(`pre-signed ${o.txs} transfers in ${((Date.now() - t_sign) / 1000).toFixed(1)} s`);

  await rpc1(url, "eth_blockNumber", []); // after the idle signing time: a fresh connection
  // Timed: submit over C connections, in batches, while blocks are mined every second.
  const t0 = process.hrtime.bigint();
  let cursor = 0,
    rejected = 0;
  const sender = async () => {
    while (cursor < txs.length) {
      const part = txs.slice(cursor, cursor + o.batch);
      cursor += part.length;
      const res = await rpc(
        url,
        part.map((t) => ["eth_sendRawTransaction", [t]]),
      );
      for (const r of res) if (r.error) rejected++;
    }
  };
  await Promise.all(Array.from({ length: o.connections }, sender));
  const t_submitted = process.hrtime.bigint();

  // Count what is mined: receipts of every block since the clock started.
  let mined = 0,
    failed = 0,
    block = firstBlock,
    t_last = t0;
  const deadline = Date.now() + o.timeoutS * 1000;
  while (mined + failed < o.txs - rejected && Date.now() < deadline) {
    const head = Number(await rpc1(url, "eth_blockNumber", []));
    if (head < block) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    for (; block <= head; block++) {
      const b = await rpc1(url, "eth_getBlockByNumber", ["0x" + block.toString(16), false]);
      if (b.transactions.length === 0) continue;
      t_last = process.hrtime.bigint();
      for (let i = 0; i < b.transactions.length; i += 500) {
        const rs = await rpc(
          url,
          b.transactions.slice(i, i + 500).map((h) => ["eth_getTransactionReceipt", [h]]),
        );
        for (const r of rs)
          if (r.result && r.result.status === "0x1") mined++;
          else failed++;
      }
    }
  }
  stop();
  const seconds = Number(t_last - t0) / 1e9;
  const tps = seconds > 0 ? Math.round(mined / seconds) : 0;
  const missing = o.txs - rejected - mined - failed;
  const result = {
    hardhat: hhVersion,
    solc: version,
    accounts: o.accounts,
    txs: o.txs,
    mined,
    failed,
    rejected,
    missing,
    submit_seconds: Number(t_submitted - t0) / 1e9,
    seconds,
    erc20_tps: tps,
    durable: false,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
  } else {
    process.stdout.write(
      `node: ${hhVersion} (in memory, no fsync: not durable), solc ${version}\n` +
        `accounts ${o.accounts}, transfers ${o.txs}: mined ${mined}, reverted ${failed}, ` +
        `rejected ${rejected}, missing ${missing}\n` +
        `submitted in ${result.submit_seconds.toFixed(2)} s, ` +
        `last one mined after ${seconds.toFixed(2)} s\n` +
        `erc20_tps: ${tps} tx/s\n`,
    );
  }
  process.exit(mined + failed + rejected === o.txs && failed === 0 && rejected === 0 ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(
    `erc20-bench: ${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ""}\n`,
  );
  if (hardhatLog.text)
    process.stderr.write(`hardhat node said:\n${hardhatLog.text.slice(-2000)}\n`);
  process.exit(1);
});
