// Hardhat 2 network of bench/erc20: blocks mined every second from the mempool (not one per
// transaction), a block gas limit high enough for every pending transfer, no base fee.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      blockGasLimit: 2000000000,
      initialBaseFeePerGas: 0,
      mining: { auto: false, interval: 1000, mempool: { order: "fifo" } },
    },
  },
};
