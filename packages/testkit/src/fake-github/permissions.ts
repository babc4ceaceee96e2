/**
 * Which `permissions:` key an operation needs, derived from the OpenAPI `x-github` category (and a
 * few operationId rules), and the access level: read for GET/HEAD, write otherwise.
 */
import type { Operation } from './openapi.js';
import type { GitHubPermission, PermissionLevel } from './types.js';

export interface PermissionNeed {
  /** Any one of these grants access (issue comments: `issues` or `pull-requests`). */
  readonly anyOf: readonly GitHubPermission[];
  readonly level: Exclude<PermissionLevel, 'none'>;
}

const BY_CATEGORY: Readonly<Record<string, GitHubPermission>> = {
  checks: 'checks',
  git: 'contents',
  branches: 'contents',
  releases: 'contents',
  pulls: 'pull-requests',
  issues: 'issues',
  deployments: 'deployments',
  actions: 'actions',
  packages: 'packages',
  pages: 'pages',
  'code-scanning': 'security-events',
  'secret-scanning': 'security-events',
  'dependency-graph': 'contents',
  projects: 'repository-projects',
};

export function permissionFor(op: Operation): PermissionNeed {
  const level = op.method === 'get' || op.method === 'head' ? 'read' : 'write';
  return { anyOf: permissionsFor(op), level };
}

function permissionsFor(op: Operation): GitHubPermission[] {
  const { category, subcategory, operationId } = op;
  if (category === 'commits') return subcategory === 'statuses' ? ['statuses'] : ['contents'];
  if (category === 'repos' && subcategory === 'contents') return ['contents'];
  if (subcategory === 'attestations') return ['attestations'];
  if (category === 'issues' && (subcategory === 'comments' || subcategory === 'events')) return ['issues', 'pull-requests'];
  if (category === 'reactions') return ['issues', 'pull-requests'];
  if (operationId.startsWith('repos/') && /deployment/.test(operationId)) return ['deployments'];
  if (operationId.startsWith('repos/') && /commit-status|combined-status/.test(operationId)) return ['statuses'];
  const mapped = BY_CATEGORY[category];
  return [mapped ?? 'metadata'];
}

const RANK: Readonly<Record<PermissionLevel, number>> = { none: 0, read: 1, write: 2 };

export function isGranted(need: PermissionNeed, granted: (p: GitHubPermission) => PermissionLevel): boolean {
  return need.anyOf.some((p) => RANK[granted(p)] >= RANK[need.level]);
}

/** GitHub's `x-accepted-github-permissions` header: `checks=write`, or `issues=write; pull_requests=write`. */
export function acceptedPermissionsHeader(need: PermissionNeed): string {
  return need.anyOf.map((p) => `${p.replace(/-/g, '_')}=${need.level}`).join('; ');
}
