// Entry point of the aksim web console.
import { render } from 'preact';
import { App } from './app.tsx';
import { connect } from './store.ts';
import './style.css';

connect();
render(<App />, document.getElementById('app')!);
