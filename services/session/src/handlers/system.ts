/** Status, versions and restarts (reference §1.4 "system", seed 获取状态). */
import type { SessionHandlers } from '../actions/context.js';

export const VERSION = '0.1.0';

export const systemHandlers = {
  /** Real counters of this account's connection since this worker took it over. */
  get_status: async (_p, { account }) => {
    const d = account.driver.stats;
    const online = account.online;
    return {
      app_initialized: true,
      app_enabled: true,
      plugins_good: null,
      app_good: true,
      online,
      good: online,
      stat: {
        packet_received: d.packetReceived,
        packet_sent: d.packetSent,
        packet_lost: d.packetLost,
        message_received: account.stats.messageReceived,
        message_sent: account.stats.messageSent,
        disconnect_times: d.disconnectTimes,
        lost_times: d.lostTimes,
        last_message_time: account.stats.lastMessageTime,
      },
    };
  },
  get_version_info: async (_p, { account }) => ({
    app_name: 'cqfleet',
    app_version: VERSION,
    app_full_name: `cqfleet-${VERSION}_${process.platform}_${process.arch}-node${process.versions.node}`,
    protocol_version: 'v11' as const,
    coolq_directory: '',
    coolq_edition: 'pro',
    go_cqhttp: true,
    plugin_version: '4.15.0',
    plugin_build_number: 99,
    plugin_build_configuration: 'release',
    runtime_version: process.version,
    runtime_os: process.platform,
    version: VERSION,
    protocol_name: account.driver.protocol,
  }),
  /** Reconnects the account after `delay` ms (the account, not the worker, restarts). */
  set_restart: async (p, { account }) => {
    const timer = setTimeout(() => account.driver.reconnect(), Math.max(0, p.delay));
    timer.unref();
    return null;
  },
} satisfies SessionHandlers;
