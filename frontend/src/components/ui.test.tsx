import { render } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import { Checkboxes, DateInput, ErrorSummary, IdPrefix, Radios, Select, TextArea, TextInput } from './ui'
import { type FormErrors, toFormErrors } from '../lib/problem'

const errors: FormErrors = toFormErrors({
  title: 'Unprocessable',
  status: 422,
  errors: [{ location: ['body', 'email'], message: 'Enter an email address' }],
})
const noop = () => {}

/** The error summary and an email field, as one form renders them. */
function form(): preact.JSX.Element {
  return (
    <>
      <ErrorSummary errors={errors} />
      <TextInput name="email" label="Email address" hint="The one they use at work" value="" onInput={noop} errors={errors} />
    </>
  )
}

/** Every attribute of one name in the markup, in order. */
function attributes(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(` ${name}="([^"]*)"`, 'g'))].map((m) => m[1] as string)
}

describe('field ids', () => {
  it('without a prefix are the ones every page has always had', () => {
    const html = render(form())
    expect(attributes(html, 'href')).toEqual(['#field-email'])
    expect(attributes(html, 'for')).toEqual(['field-email'])
    expect(attributes(html, 'id')).toEqual(['field-email-hint', 'field-email-error', 'field-email'])
    expect(attributes(html, 'aria-describedby')).toEqual(['field-email-hint field-email-error'])
  })

  it('in an IdPrefix all carry the prefix, so the label, the summary link and the messages find this form’s field', () => {
    const html = render(<IdPrefix prefix="add-user-">{form()}</IdPrefix>)
    expect(attributes(html, 'href')).toEqual(['#add-user-field-email'])
    expect(attributes(html, 'for')).toEqual(['add-user-field-email'])
    expect(attributes(html, 'id')).toEqual(['add-user-field-email-hint', 'add-user-field-email-error', 'add-user-field-email'])
    expect(attributes(html, 'aria-describedby')).toEqual(['add-user-field-email-hint add-user-field-email-error'])
  })

  it('are never shared by two forms with fields of the same name, whatever the kind of field', () => {
    const options = [
      { value: 'a', text: 'A' },
      { value: 'b', text: 'B' },
    ]
    const fields = (
      <>
        <ErrorSummary errors={errors} />
        <TextInput name="email" label="Email" value="" onInput={noop} errors={errors} />
        <TextArea name="notes" label="Notes" hint="Anything else" value="" onInput={noop} errors={null} />
        <Select name="kind" label="Kind" value="" onChange={noop} options={options} errors={null} />
        <DateInput name="due" label="Due" value="" onInput={noop} errors={null} />
        <Radios name="size" label="Size" hint="Pick one" value="a" onChange={noop} options={options} errors={null} />
        <Checkboxes name="roles" label="Roles" values={[]} onChange={noop} options={options} errors={null} />
      </>
    )
    for (const prefix of ['invite-', 'add-user-']) {
      const html = render(<IdPrefix prefix={prefix}>{fields}</IdPrefix>)
      const ids = attributes(html, 'id')
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.filter((id) => !id.startsWith(`${prefix}field-`))).toEqual([])
      // Every label, summary link and description points at an id of this form.
      const references = [
        ...attributes(html, 'for'),
        ...attributes(html, 'href').map((href) => href.slice(1)),
        ...attributes(html, 'aria-describedby').flatMap((value) => value.split(' ')),
      ]
      expect(references.length).toBeGreaterThan(10)
      expect(references.filter((reference) => !ids.includes(reference))).toEqual([])
    }
  })

  it('tie a group of checkboxes to its hint and its error, as radios are', () => {
    const roleErrors = toFormErrors({
      title: 'Unprocessable',
      status: 422,
      errors: [{ location: ['body', 'roles'], message: 'Select at least one role' }],
    })
    const options = [{ value: 'pmo', text: 'PMO' }]
    const html = render(
      <Checkboxes name="roles" label="Roles" hint="What they may do" values={[]} onChange={noop} options={options} errors={roleErrors} />,
    )
    expect(attributes(html, 'aria-describedby')).toEqual(['field-roles-hint field-roles-error'])
    expect(attributes(html, 'id')).toEqual(['field-roles-hint', 'field-roles-error', 'field-roles'])
    expect(html).toContain('What they may do')
  })
})
