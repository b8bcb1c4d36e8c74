export { freePorts } from '../../src/net/free-ports.js';
