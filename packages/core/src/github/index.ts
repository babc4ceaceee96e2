export {
  normalizeContext,
  readContextFromEnv,
  SUPPORTED_EVENTS,
  type DeploymentContext,
  type MergeGroupContext,
  type PullRequestContext,
  type ReadTextFile,
  type RepositoryRef,
  type RunContext,
  type RunnerEnv,
  type SupportedEvent,
} from './context.js';
export {
  apiStatus,
  explainApiError,
  isHttpError,
  operationForRoute,
  PERMISSIONS_BY_OPERATION,
  permissionsYaml,
  withApi,
  type ApiErrorContext,
  type OperationKey,
  type OperationPermission,
  type PermissionLevel,
  type PermissionNeed,
  type PermissionScope,
} from './api-errors.js';
export { createGitHubClient, type GitHubClient, type GitHubClientOptions, type ThrottleOptions } from './client.js';
