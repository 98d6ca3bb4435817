export { DEFAULT_BPFFS_ROOT, DEFAULT_INTERVAL, DEFAULT_METRICS_PORT, NETNS_DIR, STATE_DIR } from './agent-defaults.js';
export {
  AGENT_FLAGS,
  agentArgs,
  flagEnvName,
  type AgentConfig,
  type AgentFlag,
  type AgentFlagName,
} from './agent-flags.js';
export { GitwireAgent, type GitwireAgentProps } from './gitwire-agent.js';
export { agentSystemdUnit, type SystemdUnitProps } from './systemd-unit.js';
