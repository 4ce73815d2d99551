import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type PingResult } from '@jointcert/contracts';

@Controller()
export class RegistryController {
  @Handles(Api.registry.ping)
  ping(): PingResult {
    return { service: 'registry', at: new Date().toISOString() };
  }
}
