import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Api, type SessionTokens } from '@jointcert/contracts';
import { callerSchema, challengeIdSchema, clientSchema, parsePayload, signedDataSchema } from '../shared/validation';
import { LogIn } from './login.use-case';
import { LogOut } from './logout.use-case';
import { RefreshSession } from './refresh.use-case';

const loginSchema = z.object({ client: clientSchema, challengeId: challengeIdSchema, signedData: signedDataSchema });
const refreshSchema = z.object({ client: clientSchema, refreshToken: z.string().min(1).max(256) });
const logoutSchema = z.object({ client: clientSchema, caller: callerSchema });

/** Message handlers: validate, delegate. */
@Controller()
export class SessionsController {
  constructor(
    private readonly logIn: LogIn,
    private readonly refreshSession: RefreshSession,
    private readonly logOut: LogOut,
  ) {}

  @MessagePattern(Api.registry.login.cmd)
  login(@Payload() envelope: unknown): Promise<SessionTokens> {
    return this.logIn.execute(parsePayload(loginSchema, envelope));
  }

  @MessagePattern(Api.registry.refresh.cmd)
  refresh(@Payload() envelope: unknown): Promise<SessionTokens> {
    return this.refreshSession.execute(parsePayload(refreshSchema, envelope));
  }

  @MessagePattern(Api.registry.logout.cmd)
  logout(@Payload() envelope: unknown): Promise<{ ok: true }> {
    return this.logOut.execute(parsePayload(logoutSchema, envelope));
  }
}
