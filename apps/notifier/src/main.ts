import { loadConfig, runMicroservice } from '@jointcert/common';
import { NotifierModule } from './notifier.module';

runMicroservice(NotifierModule, process.env, (env) => NotifierModule.configure(loadConfig(env, 'notifier')));
