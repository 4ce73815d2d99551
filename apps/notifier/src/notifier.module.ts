import { Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import type { AppConfig } from '@jointcert/common';
import { Notifier, type NotifierOptions } from './notifier';
import { NotifierController, UnsubscribeController } from './notifier.controller';

const APP_CONFIG = Symbol('notifier config');

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

/** The notifier service for one configuration: ping, the unsubscribe handler, and the Notifier (scans, queue, SMTP). */
export function notifierModule(config: AppConfig, options: NotifierOptions = {}): Type<unknown> {
  @Module({
    controllers: [NotifierController, UnsubscribeController],
    providers: [
      { provide: APP_CONFIG, useValue: config },
      { provide: Notifier, useFactory: (c: AppConfig) => Notifier.open(c, options), inject: [APP_CONFIG] },
      NotifierLifecycle,
    ],
  })
  class ConfiguredNotifierModule {}
  return ConfiguredNotifierModule;
}

/**
 * The module `main.ts` hands to runMicroservice. runMicroservice loads the
 * configuration before it creates the app; `configure` wraps that loader and
 * makes the module import the notifier for that configuration.
 */
@Module({})
export class NotifierModule {
  static configure(config: AppConfig): AppConfig {
    Reflect.defineMetadata(MODULE_METADATA.IMPORTS, [notifierModule(config)], NotifierModule);
    return config;
  }
}
