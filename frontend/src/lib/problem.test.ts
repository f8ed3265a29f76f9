import { describe, expect, it } from 'vitest'
import { describe as describeProblem, fieldId, fieldName, toFormErrors } from './problem'

describe('problem+json to the GOV.UK error summary', () => {
  it('maps field errors to inline messages and summary links', () => {
    const errors = toFormErrors(
      {
        title: 'The request is not valid',
        status: 422,
        errors: [
          { location: ['body', 'email'], message: 'must be an email address', type: 'value_error' },
          { location: ['body', 'answers', 0, 'answer'], message: 'too long', type: 'value_error' },
        ],
      },
      { email: 'Email address' },
    )
    expect(errors.fields).toEqual({
      email: 'Email address: must be an email address',
      'answers.0.answer': 'Answers 0 answer: too long',
    })
    expect(errors.summary).toEqual([
      { text: 'Email address: must be an email address', href: '#field-email' },
      { text: 'Answers 0 answer: too long', href: '#field-answers-0-answer' },
    ])
  })

  it('shows the API\'s sentences as they are, next to their fields', () => {
    const errors = toFormErrors(
      {
        title: 'The request is not valid',
        status: 422,
        errors: [
          { location: ['body', 'amount'], message: 'Enter an amount in pounds and pence, like 49,999.99', type: 'money' },
          { location: ['body', 'meeting_date'], message: 'Meeting date must be today or in the past', type: 'date_not_future' },
        ],
      },
      { amount: 'Amount' },
    )
    expect(errors.fields).toEqual({
      amount: 'Enter an amount in pounds and pence, like 49,999.99',
      meeting_date: 'Meeting date must be today or in the past',
    })
    expect(errors.summary[1]).toEqual({ text: 'Meeting date must be today or in the past', href: '#field-meeting_date' })
  })

  it('uses the detail when there are no field errors', () => {
    const errors = toFormErrors({ title: 'Conflict', status: 409, detail: 'A project with that name exists.' })
    expect(errors.summary).toEqual([{ text: 'A project with that name exists.' }])
    expect(errors.fields).toEqual({})
  })

  it('keeps a body-wide error in the summary without a link', () => {
    const errors = toFormErrors({
      title: 'The request is not valid',
      status: 422,
      errors: [{ location: ['body'], message: 'give one of project_id, programme_id', type: 'value_error' }],
    })
    expect(errors.summary).toEqual([{ text: 'Give one of project_id, programme_id' }])
  })

  it('says what a 403 needs and offers a reload on a 412', () => {
    expect(describeProblem({ title: 'Not allowed', status: 403, detail: "This needs the permission 'raid:edit', which comes with the role(s): pmo." })).toContain('raid:edit')
    expect(describeProblem({ title: 'The record has changed', status: 412 })).toMatch(/Reload/)
  })

  it('names fields by their place in the body only', () => {
    expect(fieldName(['body', 'summary'])).toBe('summary')
    expect(fieldName(['header', 'If-Match'])).toBeNull()
    expect(fieldId('business_case.scope')).toBe('field-business_case-scope')
  })
})
