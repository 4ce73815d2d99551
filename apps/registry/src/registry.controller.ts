import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Patterns, type PingResult } from '@jointcert/contracts';

@Controller()
export class RegistryController {
  @MessagePattern(Patterns.registryPing.cmd)
  ping(): PingResult {
    return { service: 'registry', at: new Date().toISOString() };
  }
}
