export { freePort, freePortNear } from '../../initialization/services/ports';
