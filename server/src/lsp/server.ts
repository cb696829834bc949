// Entry point of dist/server.js (VS Code starts it over IPC; other editors with --stdio).
import { startServer } from './start';

startServer();
