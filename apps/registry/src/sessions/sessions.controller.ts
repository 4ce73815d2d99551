import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type CallerRequest, type LoginRequest, type RefreshRequest, type SessionTokens } from '@jointcert/contracts';
import { Idempotency, Idempotent } from '../idempotency/idempotency';
import { LogIn } from './login.use-case';
import { LogOut } from './logout.use-case';
import { RefreshSession } from './refresh.use-case';

/** Message handlers: delegate (the contract's schema validated the request). */
@Controller()
export class SessionsController {
  constructor(
    private readonly logIn: LogIn,
    private readonly refreshSession: RefreshSession,
    private readonly logOut: LogOut,
    readonly idempotency: Idempotency,
  ) {}

  @Idempotent()
  @Handles(Api.registry.login)
  login(request: LoginRequest): Promise<SessionTokens> {
    return this.logIn.execute(request);
  }

  @Handles(Api.registry.refresh)
  refresh(request: RefreshRequest): Promise<SessionTokens> {
    return this.refreshSession.execute(request);
  }

  @Handles(Api.registry.logout)
  logout(request: CallerRequest): Promise<{ ok: true }> {
    return this.logOut.execute(request);
  }
}
