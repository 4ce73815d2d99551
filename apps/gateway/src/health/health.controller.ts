import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../openapi/api-route.decorator';
import { Readiness, type ReadyReport } from './readiness';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get('live')
  @ApiRoute({ summary: 'Liveness: the process answers', ok: { status: 200, schema: 'Liveness' } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiRoute({ summary: 'Readiness: Redis, the registry (with Postgres) and the verifier answer', ok: { status: 200, schema: 'Readiness' }, errors: ['SERVICE_UNAVAILABLE'] })
  ready(): Promise<ReadyReport> {
    return this.readiness.check();
  }
}
