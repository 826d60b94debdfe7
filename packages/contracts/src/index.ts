export { ALERT_TABLE } from './alert-table.ts';
