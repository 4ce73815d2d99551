import { loadConfig, runMicroservice } from '@jointcert/common';
import { RegistryModule } from './registry.module';

runMicroservice(RegistryModule, process.env, loadConfig);
