import './styles.scss'
import { render } from 'preact'
import { App } from './App'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
render(<App />, document.getElementById('app') as HTMLElement)
