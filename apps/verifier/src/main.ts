import { loadConfig, runMicroservice } from '@jointcert/common';
import { VerifierModule } from './verifier.module';

runMicroservice(VerifierModule, process.env, loadConfig);
