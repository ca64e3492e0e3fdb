export * from './accounts';
export * from './audit';
export * from './auth';
export * from './notifications';
export * from './rate-limits';
export * from './subscriptions';
export * from './trades';
export * from './users';
