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
export {
  findStickyComment,
  GITHUB_ACTIONS_BOT,
  publishStickyComment,
  READ_ONLY_NOTICE,
  type CommentMode,
  type StickyCommentOptions,
  type StickyCommentResult,
  type StickyCommentTarget,
} from './sticky-comment.js';
export {
  ANNOTATIONS_PER_REQUEST,
  checkConclusion,
  commitState,
  publishCheck,
  startCheckRun,
  type CheckConclusion,
  type CheckTarget,
  type PublishCheckOptions,
  type PublishCheckResult,
} from './check-run.js';
export { MAX_REPO_POLICY_FILES, parseRepoPolicySpec, readRepoPolicySources, REPO_POLICY_PREFIX, repoPolicyReader, type RepoPolicySpec } from './policy-repo.js';
export { publishSuggestionComments, suggestionCommentBody, suggestionMarker, type SuggestionCommentResult, type SuggestionTarget } from './review-suggestions.js';
