/** The `enigmapool` command line. */
export { main } from './main.ts';
