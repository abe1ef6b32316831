import '../common/styles.css';
import './tablet.css';
import { startTablet } from './app.ts';

startTablet(document.getElementById('app') as HTMLElement);
