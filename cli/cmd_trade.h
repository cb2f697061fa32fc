/* petro CLI trade, zone and statistics commands (cmd_trade.c). Two-word command names
 * ("trade create") are looked up by main.c. */
#ifndef PETRO_CLI_CMD_TRADE_H
#define PETRO_CLI_CMD_TRADE_H

#include "cli.h"

int cmd_trade_create(const cli_config *cfg, const cli_args *args);
int cmd_trade_fund(const cli_config *cfg, const cli_args *args);
int cmd_trade_present(const cli_config *cfg, const cli_args *args);
int cmd_trade_approve(const cli_config *cfg, const cli_args *args);
int cmd_trade_release(const cli_config *cfg, const cli_args *args);
int cmd_trade_refund(const cli_config *cfg, const cli_args *args);
int cmd_trade_dispute(const cli_config *cfg, const cli_args *args);
int cmd_trade_resolve(const cli_config *cfg, const cli_args *args);
int cmd_trade_amend_sign(const cli_config *cfg, const cli_args *args);
int cmd_trade_amend(const cli_config *cfg, const cli_args *args);
int cmd_trade_target(const cli_config *cfg, const cli_args *args);
int cmd_trade_show(const cli_config *cfg, const cli_args *args);
int cmd_trade_list(const cli_config *cfg, const cli_args *args);
int cmd_trade_targets(const cli_config *cfg, const cli_args *args);
int cmd_zone_create(const cli_config *cfg, const cli_args *args);
int cmd_zone_policy(const cli_config *cfg, const cli_args *args);
int cmd_zone_assign(const cli_config *cfg, const cli_args *args);
int cmd_zone_kyc(const cli_config *cfg, const cli_args *args);
int cmd_zone_show(const cli_config *cfg, const cli_args *args);
int cmd_zone_list(const cli_config *cfg, const cli_args *args);
int cmd_stats_trade(const cli_config *cfg, const cli_args *args);

#endif
