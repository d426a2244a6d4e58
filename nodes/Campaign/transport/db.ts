export * from '../../shared/transport/postgres';
