import { Module } from '@nestjs/common';
import { VerifierController } from './verifier.controller';

@Module({ controllers: [VerifierController] })
export class VerifierModule {}
