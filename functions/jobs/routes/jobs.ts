// Job routes: a tenant reads its own jobs' progress and results.
import { tenantIdOf } from '../../../libs/auth/caller.ts';
import type { CursorCodec } from '../../../libs/http/cursor.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { problems } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { jobResource } from '../../../libs/jobs/job.ts';
import { routes } from '../manifest.ts';
import type { JobStore } from '../store.ts';

export function jobRoutes(deps: { store: JobStore; cursors: CursorCodec }): BoundRoute[] {
  const { store, cursors } = deps;
  return [
    implement(routes.listJobs, async ({ query, caller }) => {
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:jobs`;
      const page = await store.listJobs(tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, jobResource) };
    }),

    implement(routes.getJob, async ({ params, caller }) => {
      const job = await store.getJob(tenantIdOf(caller), params.jobId);
      if (!job) throw problems.notFound('The job');
      return { status: 200, body: jobResource(job) };
    }),
  ];
}
