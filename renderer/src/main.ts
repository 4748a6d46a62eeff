import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { useTheme } from './look/theme';
import './style.css';

// The chosen theme is on the root before the first paint (no flash of the other theme).
useTheme();
createApp(App).use(createPinia()).mount('#app');
