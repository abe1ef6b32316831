import '../common/styles.css';
import './console.css';
import { startConsole } from './app.ts';

startConsole(document.getElementById('app') as HTMLElement);
