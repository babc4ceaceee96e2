export { startFakeGitHub, FakeGitHub, type FakeProblem } from './server.js';
export { FakeGitHubState, FakeRepo, fakeSha, qualifyRef, tickingClock } from './state.js';
export type {
  CheckRunAnnotation,
  CheckRunRecord,
  CommitStatusRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  IssueCommentRecord,
  IssueRecord,
  PullCommitPerson,
  PullCommitRecord,
  PullFileRecord,
  PullRecord,
  ReviewRecord,
  RunApprovalRecord,
} from './state.js';
export { GitStore, GitError } from './git.js';
export type { GitObject, GitSignature, TreeEntry, TreeChange, TreeEntryMode, TreeEntryType } from './git.js';
export { getOpenApiIndex, OpenApiIndex, type OpenApiTimings, type Operation } from './openapi.js';
export { permissionFor, type PermissionNeed } from './permissions.js';
export { MAX_ANNOTATIONS_PER_REQUEST, MAX_COMMENT_LENGTH, MAX_STATUS_DESCRIPTION } from './handlers.js';
export type * from './types.js';
