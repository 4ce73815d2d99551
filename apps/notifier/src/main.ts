import { loadConfig, runMicroservice } from '@jointcert/common';
import { NotifierModule } from './notifier.module';

runMicroservice({ name: 'notifier', module: NotifierModule, config: () => loadConfig(process.env, 'notifier') });
