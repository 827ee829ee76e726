import { render } from 'preact';
import { takeLaunchFragment } from './api.js';
import { App } from './app.js';
import './styles.css';

// Before the first render: the token leaves the address bar at once.
const { dial } = takeLaunchFragment();
const root = document.getElementById('app');
if (root) render(<App launchDial={dial} />, root);
