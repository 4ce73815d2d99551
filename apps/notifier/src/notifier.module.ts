import { type DynamicModule, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, CONFIG, LOGGER, serviceProviders, type AppConfig, type Clock, type Logger } from '@jointcert/common';
import { Notifier, type NotifierOptions } from './notifier';
import { NotifierController, UnsubscribeController } from './notifier.controller';

/** Starts the notifier's workers and schedulers with the app, closes them on shutdown. */
@Injectable()
class NotifierLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly notifier: Notifier) {}
  onApplicationBootstrap(): Promise<void> {
    return this.notifier.start();
  }
  onApplicationShutdown(): Promise<void> {
    return this.notifier.close();
  }
}

/** The notifier service: `NotifierModule.forRoot(config, overrides)` — ping, the unsubscribe handler, and the Notifier (scans, queue, SMTP). */
@Module({})
export class NotifierModule {
  /** `overrides`: the clock, the logger and the Notifier's seams (mailer, an open DataSource, fetchers, ...), for tests. */
  static forRoot(config: AppConfig, overrides: NotifierOptions = {}): DynamicModule {
    return {
      module: NotifierModule,
      controllers: [NotifierController, UnsubscribeController],
      providers: [
        ...serviceProviders('notifier', config, overrides),
        {
          provide: Notifier,
          useFactory: (c: AppConfig, clock: Clock, logger: Logger) => Notifier.open(c, { ...overrides, clock, logger }),
          inject: [CONFIG, CLOCK, LOGGER],
        },
        NotifierLifecycle,
      ],
    };
  }
}
