import { createPinia } from 'pinia';
import { createApp, h } from 'vue';

// The editor's components mount here (issue 7); the shell only provides the root and the store.
createApp({ name: 'IirStudio', render: () => h('main', { id: 'editor' }) })
  .use(createPinia())
  .mount('#app');
